export const Button = (props) => props.children;
